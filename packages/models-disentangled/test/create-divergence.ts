import { Container } from 'inversify';
import { ParameterStore, Rng, SilentLogger, validate, type ComponentDescriptor, type Divergence, type ModelShape } from '@elbo/core';

/** Validates `options` against a divergence component's schema and builds it for `shape`, as a run would. */
export async function createDivergence(component: ComponentDescriptor, options: Record<string, unknown>, shape: ModelShape): Promise<Divergence> {
  const r = validate(component.options, options, 'model.divergence');
  if (!r.ok) throw new Error(r.problems.join('; '));
  return (await component.create(r.value, {
    container: new Container(),
    rng: new Rng(1),
    logger: new SilentLogger(),
    params: new ParameterStore('divergence'),
    shape,
  })) as Divergence;
}
