/**
 * `cortex-semantic/mongodb`: the MongoDB connector, a data source for `createSemanticLayer` whose queries
 * compile to aggregation pipelines (`mongoBackend`), and the pipeline printer itself. The `mongodb` driver
 * is an optional peer dependency, loaded only for `mongodb({ url })`. See docs/mongodb.md.
 */
export { mongodb } from './mongo/mongo-connector.js'
export type { MongoConnector, MongoConnectorMembers, MongoHealthReport } from './mongo/mongo-connector.js'
export type {
  MongoClientLike,
  MongoCollectionLike,
  MongoConnectorOptions,
  MongoCursorLike,
  MongoDbLike,
  MongoPoolOptions,
} from './mongo/mongo-options.js'
export type {
  MongoArrayRow,
  MongoDocument,
  MongoExecuteOptions,
  MongoRowForm,
  MongoStatement,
} from './mongo/mongo-statement.js'
export { mongoBackend } from './mongo/mongo-backend.js'
export type { MongoPipeline } from './mongo/mongo-backend.js'
