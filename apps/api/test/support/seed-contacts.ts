import { gqlOk } from './graphql-client.js';

/**
 * Creates a tag and `count` contacts carrying it, over GraphQL as a client would; each
 * contact's identity comes from `identity(i)`. Returns the tag id.
 */
export async function seedTaggedContacts(
  url: string,
  key: string,
  options: { tagName: string; count: number; identity: (i: number) => { kind: string; value: string } },
): Promise<string> {
  const { createTag } = await gqlOk<{ createTag: { id: string } }>(
    url,
    key,
    'mutation($name: String!) { createTag(input: { name: $name }) { id } }',
    { name: options.tagName },
  );
  const input = Array.from({ length: options.count }, (_, i) => ({
    name: `c${i}`,
    identities: [options.identity(i)],
    tagIds: [createTag.id],
  }));
  await gqlOk(url, key, 'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }', {
    input,
  });
  return createTag.id;
}
