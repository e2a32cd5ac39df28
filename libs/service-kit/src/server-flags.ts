import type { OptionSpec } from '@ci-stack/core';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * The flags every service takes for what this kit runs: the API and metrics ports and the drain time on SIGTERM
 * (`serveService`), and the log level (`createLogger`). Compose into a service's own list:
 * `[...ownFlags, ...SERVER_FLAGS]`.
 */
export const SERVER_FLAGS = [
  { name: 'host', env: 'HOST', type: 'string', default: '0.0.0.0', help: 'Address to listen on.' },
  { name: 'port', env: 'PORT', type: 'int', default: 8080, min: 1, max: 65535, help: 'API port.' },
  { name: 'metrics-port', env: 'METRICS_PORT', type: 'int', default: 9090, min: 1, max: 65535, help: 'Port for /metrics.' },
  { name: 'log-level', env: 'LOG_LEVEL', type: 'string', default: 'info', choices: LOG_LEVELS, help: 'Log level.' },
  { name: 'grace-period', env: 'GRACE_PERIOD', type: 'duration', default: 10_000, min: 0, help: 'How long to drain requests on SIGTERM.' },
] as const satisfies readonly OptionSpec[];
