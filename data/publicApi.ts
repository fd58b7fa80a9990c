/**
 * A class's public methods and fields, without its private members: the type that code outside
 * `data/` uses for a repository, so that another implementation (another engine) can provide it.
 */
export type PublicApi<T> = { [K in keyof T]: T[K] };
