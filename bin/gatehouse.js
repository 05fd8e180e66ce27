#!/usr/bin/env node
// The gatehouse command: runs the compiled entry point (npm install builds it).
import '../dist/main.js'
