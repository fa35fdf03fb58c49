// Tests read artifact zips with the same reader publish-model uses.
export { readZip } from '../../../src/core/release/zipReader.js';
