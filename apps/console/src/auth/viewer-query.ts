import { graphql } from '../graphql/graphql.js';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      role
      keyName
      workspace {
        id
        name
        timeZone
        quietHours {
          enabled
          mode
          start
          end
        }
      }
    }
  }
`);
