/**
 * The response API's types (incidents, analyses, tokens, notification rules), taken from the
 * generated OpenAPI types (schema.d.ts): these routes declare their answers inline, so they are
 * picked out of `paths` here rather than named in components.
 */
import type { components, paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Incident = Json<paths['/api/v1/incidents/{id}']['get']['responses'][200]>;
export type IncidentTask = Incident['tasks'][number];
export type IncidentEvent = Incident['timeline'][number];
export type IncidentSummary = Json<paths['/api/v1/incidents']['get']['responses'][200]>['items'][number];
export type IncidentInput = NonNullable<paths['/api/v1/incidents']['post']['requestBody']>['content']['application/json'];
export type TaskMove = NonNullable<paths['/api/v1/incidents/{id}/tasks/{task}']['patch']['requestBody']>['content']['application/json'];

export type Analysis = Json<paths['/api/v1/projects/{name}/analyses']['post']['responses'][201]>;
export type AnalysisInput = NonNullable<paths['/api/v1/projects/{name}/analyses']['post']['requestBody']>['content']['application/json'];
export type BulkInput = NonNullable<paths['/api/v1/analyses/bulk']['post']['requestBody']>['content']['application/json'];
export type BulkResult = Json<paths['/api/v1/analyses/bulk']['post']['responses'][200]>;
export type AnalysisState = AnalysisInput['state'];
export type Justification = NonNullable<AnalysisInput['justification']>;
export type ResponseAction = NonNullable<AnalysisInput['response']>[number];

export type Token = components['schemas']['Token'];
export type TokenInput = NonNullable<paths['/api/v1/tokens']['post']['requestBody']>['content']['application/json'];
export type TokenCreated = Json<paths['/api/v1/tokens']['post']['responses'][201]>;

export type Rule = Json<paths['/api/v1/notification-rules']['get']['responses'][200]>['items'][number];
export type RuleInput = NonNullable<paths['/api/v1/notification-rules']['post']['requestBody']>['content']['application/json'];
export type RuleCreated = Json<paths['/api/v1/notification-rules']['post']['responses'][201]>;
export type Delivery = Json<paths['/api/v1/notification-rules/{id}/deliveries']['get']['responses'][200]>['items'][number];

export type Subscription = Json<paths['/api/v1/feeds/subscriptions']['get']['responses'][200]>['items'][number];
export type SubscriptionInput = NonNullable<paths['/api/v1/feeds/subscriptions']['post']['requestBody']>['content']['application/json'];
export type AdvisoryStatus = Json<paths['/api/v1/advisories/status']['get']['responses'][200]>;
