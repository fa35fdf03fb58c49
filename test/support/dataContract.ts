import { dataContractSchema, type DataContract } from '../../src/core/config/dataContract.js';

/** A contract from a plain object, with the schema's defaults filled in (as loading YAML does). */
export function contractOf(input: unknown): DataContract {
  return dataContractSchema.parse(input);
}
