export { Stage, withStage } from './stage.decorator';
export type { StageOptions } from './stage.decorator';
export { ExternalCall, withExternalCall } from './external-call.decorator';
export type {
  Classify,
  ExternalCallOptions,
  ExternalCallOutcome,
  WithExternalCallOptions,
} from './external-call.decorator';
export { Route } from './route.decorator';
export type { RouteOptions } from './route.decorator';
export { Traced, traced } from './traced.decorator';
export type { TracedOptions } from './traced.decorator';
export { Counted, Timed } from './timed.decorator';
export type { CountedOptions, TimedOptions } from './timed.decorator';
export { errCode } from './err-code';
export { TimeoutError, isTimeoutError } from './timeout-error';
export type { RegistryOption } from './options';
export type { UniversalDecorator } from './weave';
