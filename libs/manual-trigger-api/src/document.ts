import { buildOpenApi, type OpenApiDocument } from '@ci-stack/http-contract';
import { prowJobOpsRoutes } from './prowjob-ops';
import { manualTriggerRoutes, unknownRoute } from './routes';

let built: OpenApiDocument | undefined;

/** manual-trigger's OpenAPI 3.1 document, served at `GET /openapi.json`; built once from the route table. */
export function manualTriggerDocument(): OpenApiDocument {
  built ??= buildOpenApi({
    info: {
      title: 'manual-trigger',
      version: '0.1.0',
      description:
        'Creates ProwJobs on demand, without a GitHub event, exactly as Prow would; lists and follows them, aborts and reruns them. Every error is JSON `{success: false, code, message}`.',
    },
    routes: { ...manualTriggerRoutes, ...prowJobOpsRoutes },
    unknownRoute,
  });
  return built;
}
