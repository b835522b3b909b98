import { graphql } from '../graphql/graphql.js';

const ApiKeyFields = graphql(`
  fragment ApiKeyFields on ApiKey @_unmask {
    id
    name
    prefix
    role
    access
    operations
    rateLimitPerMinute
    memberId
    createdAt
    lastUsedAt
    revokedAt
  }
`);

export const MembersQuery = graphql(
  `
  query Members {
    members {
      id
      name
      email
      role
      createdAt
    }
    apiKeys {
      ...ApiKeyFields
    }
  }
`,
  [ApiKeyFields],
);

export const InviteMemberMutation = graphql(`
  mutation InviteMember($input: InviteMemberInput!) {
    inviteMember(input: $input) {
      id
    }
  }
`);

export const ChangeMemberRoleMutation = graphql(`
  mutation ChangeMemberRole($id: ID!, $role: Role!) {
    changeMemberRole(id: $id, role: $role) {
      id
      role
    }
  }
`);

export const IssueApiKeyMutation = graphql(
  `
  mutation IssueApiKey($input: IssueApiKeyInput!) {
    issueApiKey(input: $input) {
      secret
      apiKey {
        ...ApiKeyFields
      }
    }
  }
`,
  [ApiKeyFields],
);

export const ScopeApiKeyMutation = graphql(
  `
  mutation ScopeApiKey($id: ID!, $input: ScopeApiKeyInput!) {
    scopeApiKey(id: $id, input: $input) {
      ...ApiKeyFields
    }
  }
`,
  [ApiKeyFields],
);

export const RevokeApiKeyMutation = graphql(
  `
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      ...ApiKeyFields
    }
  }
`,
  [ApiKeyFields],
);
