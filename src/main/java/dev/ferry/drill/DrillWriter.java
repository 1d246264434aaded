package dev.ferry.drill;


/** One of the drill's writers through an instance, named for the report. */
record DrillWriter(String name, WriteLoad load) {}
