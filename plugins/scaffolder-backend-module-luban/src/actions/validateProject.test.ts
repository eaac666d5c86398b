import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { createValidateProjectAction } from './validateProject';
import { examples } from './validateProject.examples';

const environments = [
  { name: 'snd', namespacePattern: '{env}-{project}' },
  { name: 'prd', namespacePattern: '{env}-{project}' },
];

describe('luban:project:validate', () => {
  const action = createValidateProjectAction({ environments });

  it('outputs every name derived from the project', async () => {
    const ctx = createMockActionContext({ input: { project: 'payments' } });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('ciNamespace', 'ci-payments');
    expect(ctx.output).toHaveBeenCalledWith('namespaces', { snd: 'snd-payments', prd: 'prd-payments' });
    expect(ctx.output).toHaveBeenCalledWith('harborProject', 'payments');
    expect(ctx.output).toHaveBeenCalledWith('gitopsRepository', 'payments-gitops');
    expect(ctx.output).toHaveBeenCalledWith('argoCdProject', 'payments');
  });

  it.each(examples.map(e => [e.description, e.example]))('runs the example: %s', async (_, example) => {
    const step = yaml.parse(example).steps[0];
    const ctx = createMockActionContext({ input: step.input });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('ciNamespace', `ci-${step.input.project}`);
  });

  it.each<[JsonObject, RegExp]>([
    [{ project: 'Payments' }, /^Input 'project': The project name "Payments" must be lowercase/],
    [{ project: 'pay_ments' }, /^Input 'project': .*contains '_'/],
    [{ project: 'payments', apps: ['api', 'Api'] }, /^Input 'apps\[1\]': The app name "Api" must be lowercase/],
    [{ project: 'payments', apps: ['api', 'api'] }, /^Input 'apps': 'api' is listed twice/],
  ])('rejects %j with an InputError naming the field', async (input, message) => {
    const ctx = createMockActionContext({ input });
    await expect(action.handler(ctx as any)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(message),
    });
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
