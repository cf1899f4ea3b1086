import { Logger } from '@aws-lambda-powertools/logger';
import type { PipelineLogger } from '../../lib/ports/logger.ts';

/** One Powertools Logger per process: JSON lines with the Lambda context, level from POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'landscape' });

/** The pipeline's logging port over a Powertools Logger. */
export function pipelineLogger(log: Logger = logger): PipelineLogger {
  return {
    debug: (message, attributes) => (attributes ? log.debug(message, attributes) : log.debug(message)),
    info: (message, attributes) => (attributes ? log.info(message, attributes) : log.info(message)),
    warn: (message, attributes) => (attributes ? log.warn(message, attributes) : log.warn(message)),
    error: (message, attributes) => (attributes ? log.error(message, attributes) : log.error(message)),
  };
}
