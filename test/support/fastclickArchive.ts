// Upstream FastClick for the accuracy corpus: the same tree the other FastClick tests use.
export { fastclickSourceDir as fastclickSource } from './fastclickSource';
