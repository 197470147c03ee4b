//! The in-process `World` cache behind `/cached-queries`.
//!
//! A real cache crate (`quick_cache`, a concurrent S3-FIFO cache) rather than
//! a bare `HashMap`: it is safe to share between threads without one big
//! lock, and it bounds its own size. It is primed with every row at start-up;
//! should an entry ever be evicted, a miss reads the row from the database
//! and puts it back (read-through), so answers stay correct either way.

use quick_cache::sync::Cache;

use crate::db::{Database, WORLD_ROWS};
use crate::error::Error;
use crate::model::World;

/// A concurrent cache of `World` rows keyed by id.
#[derive(Debug)]
pub struct WorldCache {
    cache: Cache<i32, World>,
}

impl WorldCache {
    /// Builds the cache and fills it with every row of table `World`.
    pub fn prime(db: &Database) -> Result<WorldCache, Error> {
        let capacity = usize::try_from(WORLD_ROWS).expect("row count is positive");
        let cache = Cache::new(capacity);
        for world in db.all_worlds_blocking()? {
            cache.insert(world.id, world);
        }
        Ok(WorldCache { cache })
    }

    /// The row with this id: from memory, or read through from the database.
    pub async fn get(&self, db: &Database, id: i32) -> Result<Option<World>, Error> {
        if let Some(world) = self.cache.get(&id) {
            return Ok(Some(world));
        }
        let world = db.world(id).await?;
        if let Some(world) = world {
            self.cache.insert(id, world);
        }
        Ok(world)
    }

    /// How many rows the cache holds right now.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether the cache holds no rows at all.
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}
