/**
 * A small NestJS app measured with `@Route` on its handlers and `@ExternalCall` on an
 * injectable provider client, its metrics served by `MetricsModule`.
 *
 *   node -r ts-node/register/transpile-only examples/nest-app/main.ts
 */
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export async function startNestApp({ port = 0, host = '127.0.0.1' } = {}): Promise<RunningApp> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(port, host);
  const { port: actual } = app.getHttpServer().address() as { port: number };
  return { url: `http://${host}:${actual}`, close: () => app.close() };
}

if (require.main === module) {
  void startNestApp({ port: Number(process.env.PORT ?? 3000) }).then((app) => {
    console.log(`nest-app on ${app.url} (try POST ${app.url}/api/jobs and ${app.url}/metrics)`);
    process.once('SIGINT', () => void app.close());
  });
}
