export interface Config {
  auth?: {
    providers?: {
      /**
       * Development sign-in (packages/backend/src/developmentUsersSignIn.ts):
       * the users of the catalog's `development` namespace one may sign in
       * as. The sign-in page offers them; the backend refuses any other.
       */
      developmentUsers?: {
        /** @deepVisibility frontend */
        users: Array<{
          /** The User's name in the catalog's `development` namespace. */
          name: string;
          /** What the sign-in page calls the user. */
          title?: string;
          /** Who the user is, for example which team they are in. */
          description?: string;
        }>;
      };
    };
  };
}
