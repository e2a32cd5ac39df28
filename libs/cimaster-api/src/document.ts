import { buildOpenApi, type OpenApiDocument } from '@ci-stack/http-contract';
import { cimasterRoutes, unknownCall } from './routes';

let built: OpenApiDocument | undefined;

/** cimaster's OpenAPI 3.1 document, served at `GET /openapi.json`; built once from the route table. */
export function cimasterDocument(): OpenApiDocument {
  built ??= buildOpenApi({
    info: {
      title: 'cimaster',
      version: '0.1.0',
      description:
        'A pool of shared e2e test clusters. The original calls (getvacant, finishtest, ...) take GET query parameters or POST (query, form or JSON) and answer plain text, or JSON with `Accept: application/json`; errors carry a stable `code`.',
    },
    routes: cimasterRoutes,
    unknownRoute: unknownCall,
  });
  return built;
}
