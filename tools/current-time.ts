import type { Tool } from "../llm/types.ts";

/** Arguments of {@link currentTime}. */
export interface CurrentTimeArgs {
  /** An IANA time zone such as `Europe/Paris`. */
  timezone?: string;
}

/**
 * An example tool: the current date and time in a time zone. Replace it with your own (a calendar, a CRM lookup).
 * @example
 * createApp({ tools: [currentTime] });
 */
export const currentTime: Tool<CurrentTimeArgs> = {
  name: "get_current_time",
  description: "Returns the current date and time, optionally in a given IANA time zone such as Europe/Paris.",
  parameters: {
    type: "object",
    properties: { timezone: { type: "string", description: "IANA time zone, for example America/New_York" } },
  },
  filler: "Let me check.",
  execute({ timezone }) {
    const timeZone = timezone || "UTC";
    try {
      const format = new Intl.DateTimeFormat("en-US", { timeZone, dateStyle: "full", timeStyle: "short" });
      return { timezone: timeZone, now: format.format(new Date()) };
    } catch {
      return { error: `unknown time zone ${timeZone}` };
    }
  },
};
