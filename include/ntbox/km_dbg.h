#ifndef NTBOX_KM_DBG_H
#define NTBOX_KM_DBG_H

#endif
