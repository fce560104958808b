import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { connect, type DatabaseHandle } from '@wattprint/db';
import { sql } from 'kysely';

/** Injection token of the DatabaseHandle (`{ db, dialect, close }`); only repositories inject it. */
export const DATABASE = Symbol('DATABASE');

export interface DatabaseModuleOptions {
  /** SQLite only: how long a write waits for another process's lock before failing with SQLITE_BUSY. */
  sqliteBusyTimeoutMs?: number;
  /** PostgreSQL only: the statement timeout of reads (see `DatabaseHandle.asRead`); 0 or unset: none. */
  readTimeoutMs?: number;
}

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Opens the database named by `url`; migrations run before the app is created (see bootstrap.ts). */
  static forRoot(url: string, options: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DATABASE,
          useFactory: async () => {
            const handle = connect({ url, readTimeoutMs: options.readTimeoutMs });
            const busy = options.sqliteBusyTimeoutMs;
            if (handle.dialect === 'sqlite' && busy !== undefined && Number.isInteger(busy) && busy >= 0) {
              // PRAGMA takes no bound parameters; `busy` is a checked integer.
              await sql.raw(`PRAGMA busy_timeout = ${busy}`).execute(handle.db);
            }
            return handle;
          },
        },
      ],
      exports: [DATABASE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}
