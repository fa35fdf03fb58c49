/**
 * The text values of string model inputs, each stored once: the float32 feature matrix holds a
 * value's code (its index here), and the model looks the text up when it makes its tensors.
 * Float32 holds every integer up to 2^24 exactly, far more distinct values than a batch has.
 */
export class TextCodes {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  code(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      if (code >= 2 ** 24) {
        throw new RangeError('more than 16,777,216 distinct text values in one feature matrix');
      }
      this.values.push(value);
      this.index.set(value, code);
    }
    return code;
  }
}
