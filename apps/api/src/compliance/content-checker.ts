import type { ContentChecker } from '@qunfa/core';
import { checkTemplate, findPlaceholders } from '@qunfa/plugins';
import type { Db } from '../db/database.js';
import { distinctValues } from '../store/distinct-values-sql.js';

/** Distinct values of one variable checked at most; more are rare and cost a query's worth each. */
const MAX_VALUES = 5000;

/**
 * Checks a variant's template once and each distinct value of each variable it interpolates
 * once over the campaign's audience (one query per variable), never once per recipient.
 */
export function createContentChecker(db: Db, maxValues = MAX_VALUES): ContentChecker {
  return async (rules, content, ctx) => {
    const { campaign: _campaign, plan, ...check } = ctx;
    const variables = [
      ...new Set(
        [...findPlaceholders(content.text), ...findPlaceholders(content.subject ?? '')].map(
          (p) => p.variable,
        ),
      ),
    ];
    const values = variables.length > 0 ? await distinctValues(db, plan, variables, maxValues) : {};
    return checkTemplate(rules, content, values, check);
  };
}
