import { StreamLanguage, type StringStream } from "@codemirror/language";

// Cedar's highlighting for CodeMirror: a small tokenizer, not a grammar. Cedar itself checks the text
// (the server action behind the editor's lint); this only colours keywords, strings, comments,
// annotations, entity types and operators.

const keywords = new Set(["permit", "forbid", "when", "unless", "principal", "action", "resource", "context", "in", "has", "like", "is", "if", "then", "else"]);
const atoms = new Set(["true", "false"]);

interface CedarState {
  inString: boolean;
}

function stringRest(stream: StringStream, state: CedarState): string {
  while (!stream.eol()) {
    const next = stream.next();
    if (next === "\\") stream.next();
    else if (next === '"') {
      state.inString = false;
      return "string";
    }
  }
  return "string";
}

export const cedarLanguage = StreamLanguage.define<CedarState>({
  name: "cedar",
  startState: () => ({ inString: false }),
  token(stream, state) {
    if (state.inString) return stringRest(stream, state);
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.eat('"')) {
      state.inString = true;
      return stringRest(stream, state);
    }
    if (stream.match(/^@[A-Za-z_][A-Za-z0-9_]*/)) return "meta";
    if (stream.match(/^[0-9]+/)) return "number";
    if (stream.match(/^(==|!=|<=|>=|&&|\|\||::|[<>!+\-*])/)) return "operator";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const name = word[0];
      if (keywords.has(name)) return "keyword";
      if (atoms.has(name)) return "atom";
      // Toolgate::Action, Team: namespaces and entity types start with a capital.
      return /^[A-Z]/.test(name) ? "typeName" : "variableName";
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//" } },
});
