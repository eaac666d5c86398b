export { LubanNameField } from './LubanNameField';
export { LubanNameFieldSchema } from './schema';
export { lubanNameValidation } from './validation';
