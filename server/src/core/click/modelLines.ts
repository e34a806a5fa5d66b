// The line starts of a model's text, for converting its offsets to lines and characters where they
// are shown (the LSP adapter, CLI messages). Built once per model: ClickDocument hands over the index
// it already made for the text; any other model gets one on first use.
import { LineIndex } from '../text';
import type { ConfigModel } from './model';

const byModel = new WeakMap<ConfigModel, LineIndex>();

/** The line index of `model.text`. */
export function lineIndexOf(model: ConfigModel): LineIndex {
  let lines = byModel.get(model);
  if (!lines) {
    lines = new LineIndex(model.text);
    byModel.set(model, lines);
  }
  return lines;
}

/** Records the line index already built for `model.text`; returns the model. */
export function rememberLineIndex(model: ConfigModel, lines: LineIndex): ConfigModel {
  if (lines.text === model.text) byModel.set(model, lines);
  return model;
}
