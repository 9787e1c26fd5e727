import { DeepRegLoaderError } from "@deepreg-loader/core";
import { parseDocument } from "yaml";
import type { ScalarTag, Tags } from "yaml";

// PyYAML (YAML 1.1 as DeepReg reads it) resolves yes/no/on/off/true/false in three casings to
// booleans, but not y/n, which the `yaml` package's 1.1 schema also takes as booleans.
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

function pyyamlBooleans(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== "object" || tag.tag !== "tag:yaml.org,2002:bool" || !("test" in tag)) return tag;
    const scalar = tag as ScalarTag;
    const isTrue = scalar.identify?.(true) === true;
    return { ...scalar, test: isTrue ? PY_TRUE : PY_FALSE };
  });
}

/**
 * Parses the text of one YAML config with YAML 1.1 semantics as PyYAML reads DeepReg's
 * configs (`yes`/`on` are `true`, `no`/`off` are `false`, `<<` merge keys work). An empty
 * text gives `null`. Syntax errors (and duplicate keys) throw `INVALID_CONFIG` naming
 * `file` and the line and column of each error.
 */
export function parseConfigYaml(text: string, file?: string): unknown {
  const doc = parseDocument(text, { version: "1.1", customTags: pyyamlBooleans });
  const where = file ?? "YAML text";
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((error) => {
      const pos = error.linePos?.[0];
      const at = pos === undefined ? "" : ` at line ${pos.line}, column ${pos.col}`;
      return `${where}${at}: ${reason(error.message)}`;
    });
    const first = doc.errors[0]?.linePos?.[0];
    throw new DeepRegLoaderError(
      "INVALID_CONFIG",
      `invalid YAML in ${where}:\n${lines.join("\n")}`,
      {
        ...(file === undefined ? {} : { file }),
        cause: doc.errors[0],
        details: {
          line: first?.line,
          column: first?.col,
          errors: doc.errors.map((e) => ({ code: e.code, message: reason(e.message), line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col })),
        },
      },
    );
  }
  return doc.toJS();
}

/** The first line of a `yaml` error message without its " at line L, column C:" suffix. */
function reason(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, "");
}
