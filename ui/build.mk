lib-src += ui/console.c ui/screendump.c
