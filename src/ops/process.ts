import type { Logger } from '../log.ts';
import type { Metrics } from './metrics.ts';

/**
 * One request must never take the process down. Node ends the process on a promise rejection nobody handled (a
 * library's fire-and-forget closure, say); here it is logged and counted instead (`unhandled_rejections_total`),
 * and the process keeps serving everyone else. Uncaught exceptions stay fatal: state after one is unknown.
 * Returns the function that removes the handler.
 */
export function surviveRejections(logger: Logger, metrics: Pick<Metrics, 'unhandledRejection'>): () => void {
  const onRejection = (reason: unknown) => {
    metrics.unhandledRejection();
    logger.error('unhandled promise rejection (the process lives on)', { err: reason });
  };
  process.on('unhandledRejection', onRejection);
  return () => void process.off('unhandledRejection', onRejection);
}
