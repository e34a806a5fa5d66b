// How FastClick's Args matches an element's configuration arguments to the parameters its
// configure() reads (lib/args.cc): an argument is a keyword argument when it starts with a word
// (letter or `_`, then letters, digits, `_ : . ? !`) followed by whitespace and a value; any other
// argument is positional. Each parameter, in the order configure() reads it, takes the last
// argument with its keyword and, when positional, the next unclaimed positional argument (a
// mandatory one takes it even if it looks like a keyword, when its own keyword is absent).
import type { ClickArg } from '../click/model';
import type { ElementParameter, ParameterList } from '../cpp/parameters';

export interface ArgumentView {
  arg: ClickArg;
  /** The argument as written, keyword included. */
  text: string;
  /** The keyword by Click's rule, or undefined for a positional argument. */
  keyword?: string;
  /** The value after the keyword (the whole text for a positional argument). */
  value: string;
}

export interface ArgumentMatch {
  /** Per argument (same order as the configuration): the parameter it sets, if any. */
  assigned: Array<ElementParameter | undefined>;
  /** Mandatory parameters no argument set. */
  missing: ElementParameter[];
}

const KEYWORD_RE = /^([A-Za-z_][A-Za-z0-9_:.?!]*)\s+(\S[\s\S]*)$/;

/** Click's reading of one argument's text. */
export function viewArgument(arg: ClickArg): ArgumentView {
  const text = arg.keyword ? `${arg.keyword} ${arg.value}` : arg.value;
  const m = KEYWORD_RE.exec(text);
  return m ? { arg, text, keyword: m[1], value: m[2].trim() } : { arg, text, value: text };
}

export function matchArguments(args: readonly ClickArg[], list: ParameterList): { views: ArgumentView[]; match: ArgumentMatch } {
  const views = args.map(viewArgument);
  // Click's _kwpos: >0 keyword argument, 0 positional, -1 taken as positional, -2 taken by keyword.
  const state: number[] = views.map((v) => (v.keyword ? 1 : 0));
  const assigned: Array<ElementParameter | undefined> = views.map(() => undefined);
  const missing: ElementParameter[] = [];
  for (const p of list.parameters) {
    let got = -1;
    for (let i = 0; i < views.length; i++) {
      if (state[i] > 0 && views[i].keyword === p.name) {
        got = i;
        state[i] = -2;
        assigned[i] = p;
      }
    }
    if (p.positional) {
      const position = state.findIndex((s) => s >= 0);
      if (position >= 0 && ((got < 0 && p.mandatory) || state[position] === 0)) {
        state[position] = -1;
        assigned[position] = p;
        got = Math.max(got, position);
      }
    }
    if (got < 0 && p.mandatory) missing.push(p);
  }
  return { views, match: { assigned, missing } };
}
