#pragma once
// Kept equal to package.json's version; a unit test checks it.
#define PROBEDECK_ENGINE_VERSION "0.1.0"
