import { encodeCursor } from '../../services/validate.js';
import {
  attemptsOf,
  listWebhookDeliveries,
  redeliverWebhook,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
} from '../../services/webhooks/deliveries.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookEndpointRow,
} from '../../services/webhooks/endpoints.js';
import { webhookEventTypes } from '../../services/webhooks/event-types.js';
import { builder } from '../builder.js';
import { connectionOf } from './connection.js';

const WebhookEventType = builder
  .objectRef<{ name: string; description: string }>('WebhookEventType')
  .implement({
    fields: (t) => ({
      name: t.exposeString('name'),
      description: t.exposeString('description', { description: 'When it is sent and what `data` holds' }),
    }),
  });

const WebhookEndpoint = builder.objectRef<WebhookEndpointRow>('WebhookEndpoint').implement({
  description:
    'A partner URL that receives signed event deliveries; its secret is shown only when made or rotated',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    url: t.exposeString('url'),
    description: t.string({ nullable: true, resolve: (e) => e.description }),
    eventTypes: t.exposeStringList('eventTypes'),
    enabled: t.exposeBoolean('enabled', {
      description:
        'False: paused by an admin or disabled for failing (see disabledReason); events are not recorded for it and its pending deliveries wait until it is enabled again',
    }),
    disabledReason: t.string({
      nullable: true,
      description:
        'CONSECUTIVE_FAILURES when the server turned it off after too many failed attempts in a row (WEBHOOK_DISABLE_AFTER_FAILURES, default 50); null when enabled or paused by an admin',
      resolve: (e) => (e.enabled ? null : (e.disabledReason?.toUpperCase() ?? null)),
    }),
    disabledAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (e) => (e.enabled ? null : e.disabledAt),
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', {
      description: 'Failed attempts in a row across its deliveries; a 2xx answer resets it',
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});

const WebhookAttempt = builder.objectRef<WebhookAttemptRow>('WebhookAttempt').implement({
  description: 'One request made for a delivery, with its answer',
  fields: (t) => ({
    attempt: t.exposeInt('attempt'),
    at: t.field({ type: 'DateTime', resolve: (a) => a.at }),
    statusCode: t.int({
      nullable: true,
      description: 'Null: no answer (refused, timed out)',
      resolve: (a) => a.statusCode,
    }),
    error: t.string({ nullable: true, resolve: (a) => a.error }),
    durationMs: t.exposeInt('durationMs'),
    responseBody: t.string({
      nullable: true,
      description: 'The first 1 KB of the answer',
      resolve: (a) => a.responseBody,
    }),
  }),
});

const WebhookDelivery = builder.objectRef<WebhookDeliveryRow>('WebhookDelivery').implement({
  description: 'An event to deliver to one endpoint, and its delivery log',
  fields: (t) => ({
    id: t.id({ resolve: (d) => String(d.id) }),
    endpointId: t.id({ resolve: (d) => String(d.endpointId) }),
    eventId: t.exposeString('eventId', {
      description: 'The Qunfa-Event-Id header: the same on every attempt',
    }),
    eventType: t.exposeString('eventType'),
    payload: t.field({ type: 'JSON', description: 'The JSON body sent', resolve: (d) => d.payload }),
    status: t.exposeString('status', {
      description: 'pending, delivered or failed (gave up; redeliver to retry)',
    }),
    attempts: t.exposeInt('attempts'),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (d) => (d.status === 'pending' ? d.nextAttemptAt : null),
    }),
    lastStatusCode: t.int({ nullable: true, resolve: (d) => d.lastStatusCode }),
    lastError: t.string({ nullable: true, resolve: (d) => d.lastError }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.deliveredAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    log: t.field({
      type: [WebhookAttempt],
      description: 'Every request made for it, oldest first',
      resolve: async (d, _args, ctx) => (await attemptsOf(ctx.deps.db, [d.id])).get(d.id) ?? [],
    }),
  }),
});

const WebhookDeliveryConnection = connectionOf('WebhookDelivery', WebhookDelivery);

const WebhookDeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: { value: 'pending' },
    DELIVERED: { value: 'delivered' },
    FAILED: { value: 'failed' },
  } as const,
});

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({ description: 'Where to POST events (http or https)' }),
    eventTypes: t.stringList({ description: 'Event types to deliver; see `webhookEventTypes`' }),
    description: t.string({ required: false }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({ required: false }),
    eventTypes: t.stringList({ required: false }),
    description: t.string({ required: false }),
    enabled: t.boolean({ required: false, description: 'False pauses deliveries; true resumes them' }),
  }),
});

const CreatedWebhookEndpoint = builder
  .objectRef<{ endpoint: WebhookEndpointRow; secret: string }>('CreatedWebhookEndpoint')
  .implement({
    fields: (t) => ({
      endpoint: t.field({ type: WebhookEndpoint, resolve: (c) => c.endpoint }),
      secret: t.exposeString('secret', {
        description: 'The HMAC-SHA256 key of the Qunfa-Signature header; shown only now',
      }),
    }),
  });

builder.queryFields((t) => ({
  webhookEventTypes: t.field({
    type: [WebhookEventType],
    description: 'The event types an endpoint may subscribe to',
    resolve: () => Object.entries(webhookEventTypes).map(([name, description]) => ({ name, description })),
  }),
  webhookEndpoints: t.field({
    type: [WebhookEndpoint],
    description: "Admin: the workspace's webhook endpoints",
    resolve: (_r, _a, ctx) => listWebhookEndpoints(ctx.deps.db, ctx.principal),
  }),
  webhookDeliveries: t.field({
    type: WebhookDeliveryConnection,
    description: 'Admin: the delivery log, newest first',
    args: {
      endpointId: t.arg.id({ required: false }),
      status: t.arg({ type: WebhookDeliveryStatus, required: false }),
      eventId: t.arg.string({ required: false }),
      first: t.arg.int({ required: false, defaultValue: 20, description: 'At most 100' }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_r, args, ctx) => {
      const { rows, hasNextPage } = await listWebhookDeliveries(ctx.deps.db, ctx.principal, {
        endpointId: args.endpointId == null ? null : String(args.endpointId),
        status: args.status ?? null,
        eventId: args.eventId ?? null,
        first: args.first ?? 20,
        after: args.after ?? null,
      });
      const edges = rows.map((node) => ({ cursor: encodeCursor(node.id), node }));
      return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  }),
}));

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreatedWebhookEndpoint,
    description: 'Admin: registers a partner URL for some event types',
    args: { input: t.arg({ type: CreateWebhookEndpointInput }) },
    resolve: (_r, { input }, ctx) =>
      createWebhookEndpoint(
        ctx.deps.db,
        ctx.principal,
        input,
        ctx.deps.webhookAddresses,
        ctx.deps.clock.now(),
      ),
  }),
  updateWebhookEndpoint: t.field({
    type: WebhookEndpoint,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateWebhookEndpointInput }) },
    resolve: (_r, args, ctx) =>
      updateWebhookEndpoint(
        ctx.deps.db,
        ctx.principal,
        String(args.id),
        args.input,
        ctx.deps.webhookAddresses,
        ctx.deps.clock.now(),
      ),
  }),
  rotateWebhookSecret: t.field({
    type: 'String',
    description: 'Admin: a new signing secret, shown only now; the old one stops at once',
    args: { id: t.arg.id() },
    resolve: (_r, args, ctx) =>
      rotateWebhookSecret(ctx.deps.db, ctx.principal, String(args.id), ctx.deps.clock.now()),
  }),
  deleteWebhookEndpoint: t.field({
    type: 'Boolean',
    args: { id: t.arg.id() },
    resolve: (_r, args, ctx) =>
      deleteWebhookEndpoint(ctx.deps.db, ctx.principal, String(args.id), ctx.deps.clock.now()),
  }),
  redeliverWebhook: t.field({
    type: WebhookDelivery,
    description: 'Admin: sends a delivery again now, with the same event id',
    args: { id: t.arg.id() },
    resolve: (_r, args, ctx) =>
      redeliverWebhook(ctx.deps.db, ctx.principal, String(args.id), ctx.deps.clock.now()),
  }),
}));
