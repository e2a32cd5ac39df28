// The HTTP chassis both services run on: express, pino and prom-client. Only apps and tools use it; libraries use
// the dependency-free `@ci-stack/core`.
export { FileInvalidError, WatchedFile } from './watched-file';
export { AUTH_FLAGS, BearerTokens, parseTokenFile, type TokenFileFormat, type TokenHolder, type TokenTable } from './bearer-tokens';
export { SERVER_FLAGS } from './server-flags';
export { runMain, type MainSpec } from './run-main';
export { createLogger, type Logger } from './logger';
export { requestContext } from './http/request-context';
export { errorHandler, type ErrorBody, type ErrorRenderer } from './http/error-handler';
export { allReady, healthRoutes, type Readiness, type ReadinessCheck } from './http/health';
export { httpMetrics, listen } from './http/metrics';
export { serveService, type Served, type ServerOptions } from './http/serve';
export { CONSOLE_CSP, consoleRoutes, findConsole, loadStaticAssets, staticFile, wantsHtml, type ConsoleRoutesOptions, type StaticAssets, type StaticFile } from './http/console';
export { encodeEvent, openEventStream, type EventStream } from './http/event-stream';
export { CrossSiteRequestError, crossSiteGuard } from './http/cross-site';
