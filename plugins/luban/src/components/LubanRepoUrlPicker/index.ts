export { LubanRepoUrlPicker } from './LubanRepoUrlPicker';
export { LubanRepoUrlPickerSchema } from './schema';
export { lubanRepoUrlValidation } from './validation';
