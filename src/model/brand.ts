/**
 * Brands on what loadModel/parseModel and compileModel return (ADR 4: `Symbol.for`, so ESM and CJS
 * copies agree). Only a branded value skips validation; a plain or frozen object that merely looks like
 * a model is validated like any other input.
 */
import type { CompiledModel } from './compiled.js'
import type { ModelDefinition } from './definition.js'

const DEFINITION = Symbol.for('cortex-semantic.ModelDefinition')
const COMPILED = Symbol.for('cortex-semantic.CompiledModel')

function mark<T extends object>(value: T, brand: symbol): T {
  Object.defineProperty(value, brand, { value: true })
  return value
}

function has(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
}

/** Brand a validated definition (before it is frozen). */
export function brandDefinition<T extends ModelDefinition>(definition: T): T {
  return mark(definition, DEFINITION)
}

/** Was this produced by loadModel() or parseModel() (in any copy of the package)? */
export function isModelDefinition(value: unknown): value is ModelDefinition {
  return has(value, DEFINITION)
}

/** Brand a compiled model (before it is frozen). */
export function brandCompiled<T extends CompiledModel>(model: T): T {
  return mark(model, COMPILED)
}

/** Was this produced by compileModel() (in any copy of the package)? */
export function isCompiledModel(value: unknown): value is CompiledModel {
  return has(value, COMPILED)
}
