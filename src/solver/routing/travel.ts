// Travel durations and distances between every pair of locations of a request, as flat
// row-major matrices so the search reads a leg with one multiply-add.
import type { Location, TravelModel } from '../../domain/dispatch.js';

export interface TravelMatrices {
  readonly size: number;
  readonly duration: Float64Array;
  readonly distance: Float64Array;
}

const EARTH_RADIUS_KM = 6371.0088;

function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Leg metrics for one pair; locations were checked against the travel kind by validation. */
function leg(travel: TravelModel, from: Location, to: Location): { duration: number; distance: number } {
  switch (travel.kind) {
    case 'euclidean': {
      if (!('x' in from) || !('x' in to)) throw new Error('euclidean travel needs planar locations');
      const d = Math.hypot(from.x - to.x, from.y - to.y);
      return { distance: d, duration: d / (travel.speed ?? 1) };
    }
    case 'haversine': {
      if (!('lat' in from) || !('lat' in to)) throw new Error('haversine travel needs lat/lon locations');
      const km = haversineKm(from, to);
      return { distance: km, duration: (km / travel.speedKmh) * 60 };
    }
    case 'matrix': {
      if (!('matrixIndex' in from) || !('matrixIndex' in to)) throw new Error('matrix travel needs matrixIndex locations');
      const duration = travel.durations[from.matrixIndex][to.matrixIndex];
      const distance = (travel.distances ?? travel.durations)[from.matrixIndex][to.matrixIndex];
      return { duration, distance };
    }
    default: {
      const unreachable: never = travel;
      return unreachable;
    }
  }
}

export function buildTravelMatrices(travel: TravelModel, locations: readonly Location[]): TravelMatrices {
  const size = locations.length;
  const duration = new Float64Array(size * size);
  const distance = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (i === j) continue;
      const l = leg(travel, locations[i], locations[j]);
      duration[i * size + j] = l.duration;
      distance[i * size + j] = l.distance;
    }
  }
  return { size, duration, distance };
}
