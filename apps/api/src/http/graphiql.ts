import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { GraphiQLOptions } from 'graphql-yoga';

/** Where GraphiQL's script, styles and editor workers are served from: this server, never a CDN. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql-assets/';

const require = createRequire(import.meta.url);
const assetsRoot = join(dirname(require.resolve('@graphql-yoga/graphiql/package.json')), 'dist');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Serves the files of @graphql-yoga/graphiql's dist folder; anything else is 404. */
export function createGraphiqlAssetsHandler() {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(
      GRAPHIQL_ASSETS_PATH.length,
    );
    const file = normalize(join(assetsRoot, path));
    const type = types[extname(file)];
    if (!file.startsWith(assetsRoot + sep) || !type || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'public, max-age=86400',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
}

/** A key as `generateApiKey` makes them; anything else is not echoed into the page. */
const keyShape = /^qf_[A-Za-z0-9_-]{8,128}$/;

/** GraphiQL's options for a request: `?key=qf_…` prefills the Authorization header. */
export function graphiqlOptions(request: Request): GraphiQLOptions {
  const key = new URL(request.url).searchParams.get('key');
  return {
    title: 'Qunfa GraphQL',
    subscriptionsProtocol: 'WS',
    ...(key && keyShape.test(key)
      ? { headers: JSON.stringify({ Authorization: `Bearer ${key}` }, null, 2) }
      : {}),
  };
}

/** yoga's GraphiQL page, its assets pointed at this server; `<` escaped so no option can close the script. */
export function renderLocalGraphiql(options: GraphiQLOptions): string {
  const a = GRAPHIQL_ASSETS_PATH;
  const opts = JSON.stringify(options).replace(/</g, '\\u003c');
  const title = (options.title ?? 'GraphiQL').replace(/[<&>"]/g, '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="${a}graphiql.css"></head>
<body id="body" class="no-focus-outline"><div id="root">Loading ${title}…</div>
<script>
const workerUrls = {
  editorWorkerService: '${a}monacoeditorwork/editor.worker.bundle.js',
  json: '${a}monacoeditorwork/json.worker.bundle.js',
  graphql: '${a}monacoeditorwork/graphql.worker..bundle.js',
};
self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_id, label) => workerUrls[label] };
</script>
<script src="${a}yoga-graphiql.umd.js"></script>
<script>YogaGraphiQL.renderYogaGraphiQL(root, ${opts});</script>
</body></html>`;
}
