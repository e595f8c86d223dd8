// The REST API's types as the models hand them to the views: components import them from here, never from api/.
export type * from '../api/types';
export type { PromoteOrder, PromoteSource, RunStatus } from '../api/client';
