/**
 * cortex-semantic: an embeddable, Cube-compatible semantic layer.
 * This entry loads no database driver; connectors live behind their own subpaths
 * (`cortex-semantic/sqlite`, ...).
 */
export { createSemanticLayer } from './create-semantic-layer.js'
export type {
  ExplainOptions,
  HealthCheckResult,
  PreAggregationExplain,
  PreAggregationsHandle,
  MetaOptions,
  ModelInput,
  QueryInput,
  QueryOptions,
  QueryResult,
  SemanticLayer,
  SemanticLayerOptions,
  QueryExplanation,
  SqlOptions,
  TypedSemanticLayer,
} from './layer/layer-types.js'
export type {
  CheckedQuery,
  DimensionKind,
  DimensionRef,
  Granularity,
  MeasureKind,
  ModelTypes,
  OperatorFor,
  ResultRow,
  TypedFilter,
  TypedQuery,
  TypedTimeDimension,
  ValueOfKind,
} from './query/typed-query.js'
export { defineCube, defineModel, defineView } from './model/define-model.js'
export { modelTypesSource } from './model/model-types-source.js'
export type { ModelTypesSourceOptions } from './model/model-types-source.js'
export type {
  CubeInput,
  InferModelTypes,
  ModelInputDefinition,
  TypedModelDefinition,
  ViewInput,
} from './model/define-model.js'
export type { CompiledQueriesOptions, UsedPreAggregation } from './compiled-queries.js'
export { sourceStore, sqliteStore } from './pre-aggregations/rollup-store.js'
export type { PreAggregationStore } from './pre-aggregations/rollup-store.js'
export type {
  BuildEvent,
  BuildOptions,
  BuildSummary,
  PartitionStatus,
  PreAggregationsOptions,
  RollupConsideration,
  RollupStatus,
} from './pre-aggregations/pre-aggregations.js'
export type { QueryPlan } from './query/plan/query-plan.js'
export type { Backend, PrintedQuery, PrintOptions } from './backend/backend.js'
export { loadModel, parseModel } from './model/load-model.js'
export type { ModelSource } from './model/load-model.js'
export { compileModel } from './model/compile-model.js'
export { diffModels } from './model/diff-models.js'
export type { ChangeSeverity, ChangedObject, DiffableModel, ModelChange } from './model/diff-models.js'
export type { ModelChangeCode, ModelDiff, ModelDiffSummary } from './model/diff-models.js'
export { watchModel } from './model/watch-model.js'
export type { FolderWatch, ModelChangedEvent, ModelErrorEvent, ModelWatcher } from './model/watch-model.js'
export type { ReloadOutcome, WatchModelOptions, WatchTimers } from './model/watch-model.js'
export type { ModelVersion } from './model/model-history.js'
export { generateModel } from './introspect/generate-model.js'
export type { GenerateModelOptions, GenerateModelResult, GeneratedFile } from './introspect/generate-model.js'
export type { ColumnInfo, ColumnKind, ForeignKeyInfo, SourceIntrospector, TableRef } from './introspect/introspector.js'
export { checkDrift } from './introspect/check-drift.js'
export type { CheckDriftOptions, DriftCounts, DriftIssue, DriftReport } from './introspect/check-drift.js'
export { SemanticLayerError, isSemanticLayerError } from './errors.js'
export type { ErrorCode, ErrorIssue } from './errors.js'
export type {
  ArrayRow,
  Connector,
  SqlConnector,
  ConnectorDefinition,
  ExecuteOptions,
  HealthReport,
  ObjectRow,
  RowCapability,
  SqlStatement,
  Statement,
  StatementOptions,
} from './connectors/connector.js'
export type { CubeQuery, CubeFilter, CubeTimeDimension, FilterOperator, OrderDirection } from './query/parse-query.js'
export type { CompiledModel, CompiledCube, CompiledView } from './model/compiled.js'
export type { ModelDefinition, CubeDefinition, ViewDefinition } from './model/definition.js'
export type { MetaResponse, MetaCube, MetaMember } from './result/build-meta.js'
export type { RenderedSql } from './sql/render-sql.js'
export type { DialectCapabilities, ParamType, SqlDialect } from './sql/dialect.js'
export type { SqlDialectName } from './sql/dialects/registry.js'
export { defineConnector } from './connectors/connector.js'
export { createJwtAuth } from './security/jwt-auth.js'
export type { JwtAuth, JwtAuthOptions, JwtClaims, PublicJwk, RemoteJwksOptions } from './security/jwt-auth.js'
export type { DecimalMode, Row } from './result/shape-result.js'
export type { AuditEvent } from './security/audit.js'
export type { AuthorizeDecision, AuthorizeRequest, SecurityContext, SecurityHooks } from './security/authorize-query.js'
export type { ConnectorsFactory, ModelFactory, TenantInfo } from './security/tenancy.js'
export { memoryCache } from './cache/memory-cache.js'
export type { MemoryCacheOptions } from './cache/memory-cache.js'
export type { Clock } from './util/clock.js'
export type {
  CacheAdapter,
  CacheErrorHandler,
  CacheInfo,
  CacheMode,
  CacheOperation,
  CacheOptions,
  InvalidateTarget,
} from './cache/cache-adapter.js'
