import '../export/writers';

export { MetricsModule } from './metrics.module';
export type { MetricsModuleOptions } from './metrics.module';
