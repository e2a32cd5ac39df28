export { ApiError, ClientError, MalformedAnswerError, UnreachableError, snippetOf, type ClientErrorKind } from './client-errors';
export { createClient, type AnswerOf, type CallOptions, type Client, type ClientOptions, type EventOf, type InputOf, type StreamingRoute } from './client';
export { buildOpenApi, type BuildOptions, type JsonSchema, type OpenApiDocument, type OpenApiOperation, type OpenApiResponse } from './openapi';
export { defineRoutes, errorBodySchema, errorResponses, expressPath, findRoute, matchPath, templatePath, type ErrorCodes, type ErrorStatus, type HeaderSpec, type HttpMethod, type MediaType, type ResponseSpec, type RouteSpec, type RouteTable } from './route';
export { EventStreamParser, parseEventStream, type ServerEvent } from './sse';
export { documentRoute, probeRoutes } from './probes';
export { consoleConfigBase, consoleRouteSpecs } from './console';
