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

function planar(locations: readonly Location[]): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(locations.length);
  const y = new Float64Array(locations.length);
  locations.forEach((l, i) => {
    if (!('x' in l)) throw new Error(`location ${i} is not planar`);
    x[i] = l.x;
    y[i] = l.y;
  });
  return { x, y };
}

function matrixIndices(locations: readonly Location[]): Int32Array {
  return Int32Array.from(locations, (l, i) => {
    if (!('matrixIndex' in l)) throw new Error(`location ${i} has no matrixIndex`);
    return l.matrixIndex;
  });
}

/** Fills both matrices; locations were checked against the travel kind by validation. */
export function buildTravelMatrices(travel: TravelModel, locations: readonly Location[]): TravelMatrices {
  const size = locations.length;
  const duration = new Float64Array(size * size);
  const distance = new Float64Array(size * size);
  switch (travel.kind) {
    case 'euclidean': {
      const { x, y } = planar(locations);
      const speed = travel.speed ?? 1;
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const d = Math.sqrt((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2);
          distance[i * size + j] = d;
          duration[i * size + j] = d / speed;
        }
      }
      break;
    }
    case 'haversine': {
      for (let i = 0; i < size; i++) {
        const from = locations[i];
        if (!('lat' in from)) throw new Error(`location ${i} has no lat/lon`);
        for (let j = 0; j < size; j++) {
          const to = locations[j];
          if (!('lat' in to)) throw new Error(`location ${j} has no lat/lon`);
          const km = i === j ? 0 : haversineKm(from, to);
          distance[i * size + j] = km;
          duration[i * size + j] = (km / travel.speedKmh) * 60;
        }
      }
      break;
    }
    case 'matrix': {
      const index = matrixIndices(locations);
      const distances = travel.distances ?? travel.durations;
      for (let i = 0; i < size; i++) {
        const durationRow = travel.durations[index[i]];
        const distanceRow = distances[index[i]];
        for (let j = 0; j < size; j++) {
          if (i === j) continue;
          duration[i * size + j] = durationRow[index[j]];
          distance[i * size + j] = distanceRow[index[j]];
        }
      }
      break;
    }
    default: {
      const unreachable: never = travel;
      return unreachable;
    }
  }
  return { size, duration, distance };
}
