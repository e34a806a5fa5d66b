// Custom requests about C++ elements, for clients, commands and tests:
// `flowmage/elements` lists every element with its merged features, `flowmage/indexStatus` says
// what the index is doing.
import type { Feature } from './features';
import type { ServerContext } from './context';
import { getElementIndexService } from './elementIndexService';
import { ElementsRequest, IndexStatusRequest, type ElementSummary } from '../protocol';
import { summarizeFeatures } from '../core/analysis/summary';
import { unlessCancelled } from './requestCancellation';

export function elementRequestsFeature(ctx: ServerContext): Feature {
  const service = getElementIndexService(ctx);
  ctx.connection.onRequest(ElementsRequest.type, async (params, token): Promise<ElementSummary[]> => {
    if (params?.wait !== false) await unlessCancelled(token, service.ready(), ElementsRequest.method);
    const wanted = params?.names ? new Set(params.names) : undefined;
    return service
      .elements()
      .filter((t) => !wanted || wanted.has(t.info.clickName))
      .map((t) => {
        const features = service.features(t.info.clickName);
        return {
          name: t.info.clickName,
          className: t.info.className,
          headerFile: t.info.headerFile,
          summary: summarizeFeatures({ ...(features ?? t.features), unknown: t.features.unknown }),
          sliceHash: t.slice.hash,
          sliceChars: t.slice.chars,
          features,
          static: t.features,
        };
      });
  });
  ctx.connection.onRequest(IndexStatusRequest.type, () => service.status());
  return {};
}
