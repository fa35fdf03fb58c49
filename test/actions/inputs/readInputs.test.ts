// The one reader of action inputs, checked against @actions/core's own getInput and
// getBooleanInput on the same environment.
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  choiceInput,
  flagInput,
  inputValue,
  linesInput,
  optionalInput,
  readInputs,
  requiredInput,
  textInput,
} from '../../../src/actions/inputs/readInputs.js';
import { modelsInput } from '../../../src/actions/inputs/modelsInput.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';

/** Sets an input as the runner does: INPUT_ + the name upper-cased, spaces as underscores. */
function setInput(name: string, value: string): void {
  vi.stubEnv(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('inputValue', () => {
  it('reads what core.getInput reads: upper case, spaces as underscores, trimmed, empty when unset', () => {
    const inputs: Record<string, string> = {
      'fail-on-gate': ' true\n',
      'cache paths': '  a\n  b  ',
      Report: 'out/report.json',
      'registry-password': '\tp@ss word ',
    };
    for (const [name, value] of Object.entries(inputs)) setInput(name, value);
    for (const name of [...Object.keys(inputs), 'never-set']) {
      expect(inputValue(name)).toBe(core.getInput(name));
    }
    expect(inputValue('cache paths')).toBe('a\n  b');
    expect(inputValue('never-set')).toBe('');
  });
});

describe('readInputs', () => {
  const schema = z.object({
    report: requiredInput('step needs the report input: the JSON report; set report.'),
    'fail-on-gate': flagInput(true),
    builder: choiceInput(['auto', 'podman', 'buildah'], 'auto'),
    baseline: textInput('production'),
    model: optionalInput(),
    'cache-paths': linesInput(),
    models: modelsInput(),
  });

  it('reads every input the schema names, with its fallback where it is empty', () => {
    setInput('report', ' r.json ');
    expect(readInputs(schema)).toEqual({
      report: 'r.json',
      'fail-on-gate': true,
      builder: 'auto',
      baseline: 'production',
      model: undefined,
      'cache-paths': [],
      models: undefined,
    });
    setInput('builder', 'podman');
    setInput('baseline', 'none');
    setInput('model', 'model.onnx');
    setInput('cache-paths', '~/.cache/pip\n\n  data/  \n');
    setInput('models', '["churn", "credit-risk"]');
    expect(readInputs(schema)).toMatchObject({
      builder: 'podman',
      baseline: 'none',
      model: 'model.onnx',
      'cache-paths': ['~/.cache/pip', 'data/'],
      models: ['churn', 'credit-risk'],
    });
    setInput('models', 'churn, credit-risk\nfraud');
    expect(readInputs(schema).models).toEqual(['churn', 'credit-risk', 'fraud']);
  });

  it('takes every true/false spelling core.getBooleanInput takes, to the same value', () => {
    setInput('report', 'r.json');
    for (const spelling of ['true', 'True', 'TRUE', 'false', 'False', 'FALSE']) {
      setInput('fail-on-gate', spelling);
      expect(readInputs(schema)['fail-on-gate']).toBe(core.getBooleanInput('fail-on-gate'));
    }
    // Spellings the actions took before they shared one reader still work.
    for (const [spelling, value] of [
      ['yes', true],
      ['no', false],
      ['1', true],
      ['0', false],
    ] as const) {
      setInput('fail-on-gate', spelling);
      expect(readInputs(schema)['fail-on-gate']).toBe(value);
    }
  });

  it('refuses a bad value in one sentence naming the input, the value and what to put there', () => {
    setInput('report', 'r.json');
    setInput('fail-on-gate', 'maybe');
    expect(modelshipErrorOf(() => readInputs(schema))).toBe(
      'input fail-on-gate is "maybe"; expected true or false.',
    );
    setInput('fail-on-gate', '');
    setInput('builder', 'kaniko');
    expect(modelshipErrorOf(() => readInputs(schema))).toBe(
      'input builder is "kaniko"; expected one of auto, podman, buildah.',
    );
    setInput('builder', '');
    setInput('models', '["churn", 3]');
    expect(modelshipErrorOf(() => readInputs(schema))).toBe(
      'input models is "[\\"churn\\", 3]"; expected a JSON list of model names (the affected step\'s models output) or names separated by commas.',
    );
    setInput('models', '');
    setInput('builder', 'podman\n::set-output name=x::');
    expect(modelshipErrorOf(() => readInputs(schema))).toBe(
      'input builder is "podman\\n::set-output name=x::"; expected one of auto, podman, buildah.',
    );
  });

  it("says a missing required input in that input's own sentence, and as a ModelshipError (exit code 2)", () => {
    setInput('report', '   ');
    expect(modelshipErrorOf(() => readInputs(schema))).toBe(
      'step needs the report input: the JSON report; set report.',
    );
  });
});
