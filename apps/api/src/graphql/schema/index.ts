import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.js';
import './scalars.js';
import './enums.js';
import './viewer.js';
import './tag.js';
import './contact.js';
import './audience.js';
import './segment.js';
import './suppression.js';
import './contact-import.js';
import './campaign.js';
import './campaign-list.js';
import './waiting.js';
import './quiet-hours.js';
import './ab-test.js';
import './channel.js';
import './delivery.js';
import './campaign-breakdown.js';
import './schedule.js';
import './progress.js';
import './finding.js';
import './review.js';
import './lexicon.js';
import './inbound.js';
import './plugin.js';
import './triage.js';
import './audit.js';
import './evidence.js';
import './tenancy.js';
import './webhook.js';
import './wechat-personal.js';
import './channel-sync.js';
import './cost.js';
import './wecom-task.js';
import './customer-group.js';
import './conversion.js';
import './platform-cap.js';
import './oa-job.js';
import './retention.js';
import './opens.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = builder.toSchema();

/** The SDL committed as apps/api/schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
