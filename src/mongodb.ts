/**
 * `cortex-semantic/mongodb`: the MongoDB connector (the `mongodb` driver is an optional peer dependency,
 * loaded only for `mongodb({ url })`). Groundwork: the pipeline printer that lets `layer.query()` use it
 * is not there yet (docs/mongodb.md says what is done).
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
