// The test run's PostgreSQL server is there and takes a password over TCP (test/pg-setup.ts).

import { expect, it } from 'vitest';
import { adminQuery, describePg } from '../../helpers/pg.js';

describePg('the test server', () => {
  it('answers a query', async () => {
    const rows = await adminQuery<{ one: number }>('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });
});
