"use client";

import type { Diagnostic } from "@codemirror/lint";
import { linter, lintGutter } from "@codemirror/lint";
import type { Text } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useId, useLayoutEffect, useRef, useState } from "react";
import type { PolicyProblem } from "@/lib/policy/policy-set";
import { cedarLanguage } from "./cedar-language";
import { PolicyProblems, problemPlace } from "./policy-problems";
import { TemplatePicker } from "./template-picker";

// The Cedar editor. Rendered first as a plain textarea, which is what a browser without JavaScript
// posts; once mounted, CodeMirror takes its place and a hidden field of the same name carries the text.
// A pause in typing asks the server (the `check` action, Cedar with Toolgate's schema) for the text's
// problems: shown in the editor at their line and column and, for everyone, as a list under it.

const lintDelay = 500;

/** Cedar counts characters; CodeMirror counts UTF-16 units. Near enough for a marker, and never past the line. */
function diagnosticOf(doc: Text, problem: PolicyProblem): Diagnostic {
  const line = doc.line(Math.min(Math.max(problem.line ?? 1, 1), doc.lines));
  const from = Math.min(line.from + Math.max((problem.column ?? 1) - 1, 0), line.to);
  const to = Math.max(from, Math.min(line.to, from + 1));
  return { from, to, severity: "error", message: `${problemPlace(problem)}: ${problem.message}${problem.help ? ` (${problem.help})` : ""}` };
}

// The default theme's grey gutter numbers fail WCAG contrast; the rest keeps CodeMirror's look.
const theme = EditorView.theme({
  "&": { border: "1px solid rgb(203 213 225)", borderRadius: "0.25rem", fontSize: "0.8125rem", backgroundColor: "white" },
  "&.cm-focused": { outline: "2px solid rgb(99 102 241)" },
  ".cm-gutters": { color: "rgb(71 85 105)", backgroundColor: "rgb(248 250 252)" },
  ".cm-scroller": { minHeight: "16rem", maxHeight: "36rem", fontFamily: "ui-monospace, monospace" },
});

interface CedarEditorProps {
  /** The form field the text is posted as. */
  name: string;
  label: string;
  defaultValue: string;
  /** The problems the server found in defaultValue, shown before any edit. */
  problems: readonly PolicyProblem[];
  /** The server action giving a text's problems. */
  check: (text: string) => Promise<PolicyProblem[]>;
}

export function CedarEditor({ name, label, defaultValue, problems: initialProblems, check }: CedarEditorProps) {
  const id = useId();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [text, setText] = useState(defaultValue);
  const [problems, setProblems] = useState(initialProblems);
  const [enhanced, setEnhanced] = useState(false);

  // A layout effect: the editor replaces the textarea before the browser paints, never beside it.
  useLayoutEffect(() => {
    if (!host.current) return;
    const lint = linter(
      async (editor) => {
        const found = await check(editor.state.doc.toString()).catch(() => null);
        if (!found) return [];
        setProblems(found);
        return found.filter((problem) => problem.line !== null).map((problem) => diagnosticOf(editor.state.doc, problem));
      },
      { delay: lintDelay },
    );
    const editor = new EditorView({
      parent: host.current,
      doc: defaultValue,
      extensions: [
        basicSetup,
        cedarLanguage,
        lint,
        lintGutter(),
        theme,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label, "aria-describedby": `${id}-problems` }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) setText(update.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    setEnhanced(true);
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once; its text then lives in CodeMirror.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  /** A template's text goes after what is there, separated by a blank line, and the editor scrolls to it. */
  function insert(templateText: string) {
    const editor = view.current;
    if (!editor) return;
    const end = editor.state.doc.length;
    const before = editor.state.doc.toString();
    const separator = before.trim() === "" ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    editor.dispatch({ changes: { from: end, insert: separator + templateText }, selection: { anchor: end + separator.length }, scrollIntoView: true });
    editor.focus();
  }

  return (
    <div className="space-y-2 text-sm">
      {enhanced ? (
        <>
          <p id={`${id}-label`} className="font-medium text-slate-700">
            {label}
          </p>
          <input type="hidden" name={name} value={text} />
        </>
      ) : (
        <label htmlFor={`${id}-plain`} className="font-medium text-slate-700">
          {label}
        </label>
      )}
      <div ref={host} data-testid="cedar-editor" />
      {!enhanced && (
        <textarea
          id={`${id}-plain`}
          name={name}
          defaultValue={defaultValue}
          rows={20}
          spellCheck={false}
          aria-describedby={`${id}-problems`}
          className="block w-full rounded border border-slate-300 px-3 py-2 font-mono text-xs focus:border-indigo-500 focus:outline-none"
        />
      )}
      <div id={`${id}-problems`} aria-live="polite">
        <PolicyProblems problems={problems} />
      </div>
      {enhanced && <TemplatePicker onInsert={insert} />}
    </div>
  );
}
