import { graphql } from '../graphql/graphql.js';

export const SettingsQuery = graphql(`
  query Settings {
    viewer {
      role
      workspace {
        id
        name
        timeZone
        openPixel
        quietHours {
          enabled
          mode
          start
          end
        }
      }
    }
    approvalPolicies {
      id
      name
      audienceOver
      channels
      findingCodes
      onRevise
      steps
    }
  }
`);

export const SetWorkspaceQuietHoursMutation = graphql(`
  mutation SetWorkspaceQuietHours($input: QuietHoursInput!) {
    setWorkspaceQuietHours(input: $input) {
      id
      quietHours {
        enabled
        mode
        start
        end
      }
    }
  }
`);

export const CreateApprovalPolicyMutation = graphql(`
  mutation CreateApprovalPolicy($input: ApprovalPolicyInput!) {
    createApprovalPolicy(input: $input) {
      id
    }
  }
`);

export const DeleteApprovalPolicyMutation = graphql(`
  mutation DeleteApprovalPolicy($id: ID!) {
    deleteApprovalPolicy(id: $id)
  }
`);

export const SetOpenPixelMutation = graphql(`
  mutation SetOpenPixel($on: Boolean!) {
    updateWorkspace(input: { openPixel: $on }) {
      id
      openPixel
    }
  }
`);
