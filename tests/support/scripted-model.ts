/** A model provider for in-process tests: records every call and answers what the test scripts. */
import type { ModelChunk, ModelInput, ModelProvider } from "../../llm/types.ts";

export interface ScriptedModel extends ModelProvider {
  calls: ModelInput[];
  /** The reply of the next calls. */
  script: (input: ModelInput) => AsyncIterable<ModelChunk>;
}

export function scriptedModel(): ScriptedModel {
  const model: ScriptedModel = {
    name: "scripted",
    model: "scripted-1",
    calls: [],
    script: async function* (input) {
      yield "Echo: ";
      yield input.messages.at(-1)?.text ?? "";
    },
    stream(input) {
      model.calls.push(input);
      return model.script(input);
    },
  };
  return model;
}
