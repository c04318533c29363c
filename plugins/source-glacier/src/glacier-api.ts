import { GlacierClient } from '@aws-sdk/client-glacier';
import type { SourceContext } from '@backfill/plugin-kit';

import { isAbort, toPluginError } from './errors.ts';
import type { GlacierParams } from './params.ts';

/** Any Glacier command object. */
type AnyCommand = { input: unknown };

/** The Glacier client as the source uses it: counted, aborted, classified. */
export interface GlacierApi {
  readonly accountId: string;
  readonly vaultName: string;
  /**
   * Sends a command; `where` names the step in an error's message. `stop`
   * aborts this one request (a prefetch no longer wanted), besides the run.
   */
  send<Output>(
    command: AnyCommand,
    where: string,
    stop?: AbortSignal,
  ): Promise<Output>;
}

/**
 * A client from the SDK's standard chain: credentials, region and endpoint
 * (AWS_ENDPOINT_URL_GLACIER, AWS_ENDPOINT_URL, shared config) come from the
 * environment; `region` in params wins over AWS_REGION.
 */
export function createGlacierApi(
  ctx: SourceContext<GlacierParams>,
): GlacierApi {
  const { params } = ctx;
  const client = new GlacierClient(
    params.region ? { region: params.region } : {},
  );
  return {
    accountId: params.account_id ?? '-',
    vaultName: params.vault_name,
    async send<Output>(
      command: AnyCommand,
      where: string,
      stop?: AbortSignal,
    ): Promise<Output> {
      const abortSignal = stop
        ? AbortSignal.any([ctx.signal, stop])
        : ctx.signal;
      try {
        const output = await client.send(command as never, { abortSignal });
        ctx.countRequest('2xx');
        return output as Output;
      } catch (error) {
        ctx.countRequest(statusClass(error));
        if (isAbort(error, abortSignal)) throw error;
        throw toPluginError(error, where);
      }
    },
  };
}

function statusClass(error: unknown): '4xx' | '5xx' | 'error' {
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata?.httpStatusCode;
  if (status === undefined) return 'error';
  return status >= 500 ? '5xx' : '4xx';
}
