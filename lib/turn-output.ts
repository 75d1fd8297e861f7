/**
 * What a turn writes besides its frames: its trace marks, its metrics line and hook, and the log line of a history
 * write it lost. `lib/turn.ts` streams the turn; this holds the pieces it hands its {@link Output} to.
 * @module
 */
import type { AnyTool, TurnContext } from "../llm/types.ts";
import type { TurnState } from "./history.ts";
import { errorFields, type Logger } from "./log.ts";
import type { ResponseFrame } from "./sse.ts";
import type { TurnEvent, TurnMetrics } from "./turn-events.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The frames of one turn, and what the turn's metrics need to know of them. */
export interface Output {
  send(frame: ResponseFrame): void;
  mark(event: DistributiveOmit<TurnEvent, "at">): void;
  end(): void;
  metrics: TurnMetrics;
  startedAt: number;
  now: () => number;
}

/** What of a turn's options the pieces below read (every turn's options hold them). */
export interface TurnSink {
  context: TurnContext;
  log: Logger;
  /** Called with the turn's metrics once it is stored. */
  onTurn?: (metrics: TurnMetrics) => void | Promise<void>;
}

/** Logs the turn's metrics (numbers to one decimal) and hands them to `onTurn`, whose failure is logged. */
export async function report(options: TurnSink, metrics: TurnMetrics): Promise<void> {
  for (const key of Object.keys(metrics) as (keyof TurnMetrics)[]) {
    const value = metrics[key];
    if (typeof value === "number" && !Number.isInteger(value)) {
      (metrics as unknown as Record<string, number>)[key] = Math.round(value * 10) / 10;
    }
  }
  options.log.info("turn", { ...metrics });
  try {
    await options.onTurn?.(metrics);
  } catch (error) {
    options.log.error("onTurn hook failed", { conversationId: metrics.conversationId, ...errorFields(error) });
  }
}

/** The store operations of the turn's history, into its metrics. */
export function count(metrics: TurnMetrics, state: TurnState | undefined): void {
  if (!state) return;
  metrics.storeReads = state.ops.reads;
  metrics.storeWrites = state.ops.writes;
}

/** Awaits the turn's writes after `response.end`; a store that fails or times out loses what is not written yet. */
export async function store(
  options: TurnSink,
  output: Output,
  lost: () => string,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
    output.mark({ step: "stored" });
  } catch (error) {
    output.metrics.errorClass ??= errorFields(error).errorClass as string;
    const { conversationId, turnId } = options.context;
    options.log.error(`history write failed: ${lost()}`, { conversationId, turnId, ...errorFields(error) });
  }
}

/** A tool whose calls and results are traced. */
export function traced(tool: AnyTool, output: Output): AnyTool {
  return {
    ...tool,
    async execute(args, context, options) {
      output.mark({ step: "tool", tool: tool.name, args, filler: tool.filler });
      try {
        const result = await tool.execute(args, context, options);
        output.mark({ step: "tool.result", tool: tool.name, result });
        return result;
      } catch (error) {
        output.mark({ step: "tool.result", tool: tool.name, error: String((error as Error)?.message ?? error) });
        throw error;
      }
    },
  };
}
